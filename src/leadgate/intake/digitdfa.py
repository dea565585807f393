"""Phone-number patterns as deterministic automata over the ten digits, for the C normaliser.

phonenumbers' national-number patterns use a small part of the regular-expression syntax: digits, `\\d`,
classes of digits and ranges, groups, alternation, and the quantifiers `?`, `*`, `+`, `{n}`, `{n,}`,
`{n,m}`. Such a pattern is compiled here into a DFA (Thompson's construction, then subsets) whose table
the C pass (`_phonesplit.c`) walks one digit at a time, instead of a regex pass of polars per pattern. Any
other syntax raises `Unsupported`, and the caller keeps the regex path. tests/intake/test_digitdfa.py
holds each DFA equal to `re.fullmatch` (and, for leading digits, `re.match`) on random digit strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

DIGITS = frozenset("0123456789")
MAX_STATES = 4096  # far above any phonenumbers pattern; a guard against a pathological one


class Unsupported(ValueError):
    """The pattern uses syntax this compiler does not know."""


@dataclass(frozen=True)
class Dfa:
    """`next[state][digit]`: the next state, -1 where no string can match any more; state 0 starts."""

    next: tuple[tuple[int, ...], ...]
    accept: tuple[bool, ...]

    def fullmatch(self, digits: str) -> bool:
        state = 0
        for ch in digits:
            state = self.next[state][ord(ch) - 48]
            if state < 0:
                return False
        return self.accept[state]

    def prefix(self, digits: str) -> bool:
        """Whether some start of `digits` (the empty one included) matches: `re.match`."""
        state = 0
        for ch in digits:
            if self.accept[state]:
                return True
            state = self.next[state][ord(ch) - 48]
            if state < 0:
                return False
        return self.accept[state]


Node = tuple[Any, ...]  # ("set", frozenset) | ("cat", [Node]) | ("alt", [Node]) | ("rep", Node, low, high | None)


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.text, self.at = pattern, 0

    def fail(self, why: str) -> Unsupported:
        return Unsupported(f"{why} at {self.at} of {self.text!r}")

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def take(self, expected: str) -> None:
        if not self.text.startswith(expected, self.at):
            raise self.fail(f"expected {expected!r}")
        self.at += len(expected)

    def parse(self) -> Node:
        node = self.alternation()
        if self.at != len(self.text):
            raise self.fail("unexpected character")
        return node

    def alternation(self) -> Node:
        branches = [self.concatenation()]
        while self.peek() == "|":
            self.at += 1
            branches.append(self.concatenation())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def concatenation(self) -> Node:
        items: list[Node] = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.quantified(self.atom()))
        return ("cat", items)

    def atom(self) -> Node:
        ch = self.peek()
        if ch == "(":
            self.at += 1
            if self.text.startswith("?:", self.at):
                self.at += 2
            elif self.peek() == "?":
                raise self.fail("group kind")
            node = self.alternation()
            self.take(")")
            return node
        if ch == "[":
            return ("set", self.charset())
        if ch == "\\":
            self.take("\\d")
            return ("set", DIGITS)
        if ch in DIGITS:
            self.at += 1
            return ("set", frozenset(ch))
        raise self.fail("unsupported syntax")

    def charset(self) -> frozenset[str]:
        self.take("[")
        negated = self.peek() == "^"
        self.at += negated
        found: set[str] = set()
        while self.peek() != "]":
            if self.text.startswith("\\d", self.at):
                self.at += 2
                found |= DIGITS
                continue
            low = self.peek()
            if low not in DIGITS:
                raise self.fail("a class of digits only")
            self.at += 1
            if self.peek() == "-" and self.at + 1 < len(self.text) and self.text[self.at + 1] in DIGITS:
                high = self.text[self.at + 1]
                self.at += 2
                found |= {chr(c) for c in range(ord(low), ord(high) + 1)}
            else:
                found.add(low)
        self.at += 1
        return frozenset(DIGITS - found if negated else found)

    def quantified(self, node: Node) -> Node:
        ch = self.peek()
        if ch == "?":
            node, self.at = ("rep", node, 0, 1), self.at + 1
        elif ch == "*":
            node, self.at = ("rep", node, 0, None), self.at + 1
        elif ch == "+":
            node, self.at = ("rep", node, 1, None), self.at + 1
        elif ch == "{":
            close = self.text.find("}", self.at)
            low, comma, high = (self.text[self.at + 1:close] if close > 0 else "").partition(",")
            if not low.isdigit() or (high and not high.isdigit()):
                raise self.fail("a repetition {n}, {n,} or {n,m}")
            node = ("rep", node, int(low), (int(high) if high else None) if comma else int(low))
            self.at = close + 1
        else:
            return node
        if self.peek() == "?":  # lazy: the same strings match as a whole
            self.at += 1
        if self.peek() in ("+", "*", "{"):
            raise self.fail("a possessive or repeated quantifier")
        return node


class _Nfa:
    def __init__(self) -> None:
        self.empty: list[list[int]] = []  # epsilon moves
        self.moves: list[list[tuple[frozenset[str], int]]] = []

    def state(self) -> int:
        self.empty.append([])
        self.moves.append([])
        return len(self.empty) - 1

    def build(self, node: Node, start: int) -> int:
        """The fragment of `node` from `start`; returns its end state."""
        kind = node[0]
        if kind == "set":
            end = self.state()
            self.moves[start].append((node[1], end))
            return end
        if kind == "cat":
            for item in node[1]:
                start = self.build(item, start)
            return start
        if kind == "alt":
            end = self.state()
            for branch in node[1]:
                entry = self.state()
                self.empty[start].append(entry)
                self.empty[self.build(branch, entry)].append(end)
            return end
        _, item, low, high = node
        for _ in range(low):
            start = self.build(item, start)
        if high is None:  # any number more
            loop = self.state()
            self.empty[start].append(loop)
            self.empty[self.build(item, loop)].append(loop)
            return loop
        end = self.state()
        self.empty[start].append(end)
        for _ in range(high - low):
            start = self.build(item, start)
            self.empty[start].append(end)
        return end

    def closure(self, states: set[int]) -> frozenset[int]:
        todo, seen = list(states), set(states)
        while todo:
            for nxt in self.empty[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return frozenset(seen)


@lru_cache(maxsize=256)
def compile_digits(pattern: str) -> Dfa:
    """The DFA of `pattern` (anchored at both ends, as `re.fullmatch`) over the digits 0-9."""
    nfa = _Nfa()
    start = nfa.state()
    final = nfa.build(_Parser(pattern).parse(), start)
    first = nfa.closure({start})
    index, order = {first: 0}, [first]
    table: list[list[int]] = []
    for current in order:  # grows while it is walked
        row = []
        for digit in "0123456789":
            reached = {t for s in current for chars, t in nfa.moves[s] if digit in chars}
            if not reached:
                row.append(-1)
                continue
            target = nfa.closure(reached)
            if target not in index:
                if len(order) >= MAX_STATES:
                    raise Unsupported(f"more than {MAX_STATES} states: {pattern!r}")
                index[target] = len(order)
                order.append(target)
            row.append(index[target])
        table.append(row)
    return Dfa(tuple(tuple(r) for r in table), tuple(final in s for s in order))
