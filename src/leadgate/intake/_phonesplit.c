/* intake.phones._settle in one pass over a string column, in C.

   polars' column-wise path takes a dozen string passes (is it plain, strip, "+", the digits without their
   separators, the international and national forms, the country code) before the numbers' patterns are
   matched, and then a regex pass per pattern (a region's general, fixed, mobile and special types): ~14
   CPU-s at 10M rows. This does those steps once per row, on the column's Arrow buffers (the PyCapsule
   stream polars exports, no copy), without the GIL; the patterns as digit automata (digitdfa.py).

   Each row gets a status:
     UNSURE  anything but plain ASCII digits and ` -./()` with an optional leading "+" between white
             space (a "#" extension, a non-ASCII character, ...) that has no Latin letter: polars' own
             path answers it, unchanged;
     INVALID settled, not a valid number (a Latin letter, no digits, a national number without a
             region, "+CC"/"00CC" with no known country code);
     HOME    one of the home regions (`home`: its index + 1) with the national number as written after
             the country code or as the national format (`rest`: its digits as an integer, `rest_len`
             digits with leading zeros); polars matches the region's patterns on it;
     OPEN    none of those: parse_phone decides, as for the polars path.
   Without a program, rows whose rest has more than 18 digits are UNSURE (an int64 holds 18 for certain).

   Given a program (intake.cpass.program: the regions' number patterns as digit automata, see
   intake/digitdfa.py), a HOME row is classified in the same pass, as intake.phones._classified does it
   (the national prefix stripped as phonenumbers strips it, the number types matched, the country code's
   other regions tried): VALID (`home`: the region's code in the program's list, `rest`: the E.164
   digits, `rest_len`: 1 for a mobile), INVALID, or OPEN.

   tests/intake/test_phonesplit.py holds every status and rest equal to what the polars path computes. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

struct ArrowSchema {
    const char *format; const char *name; const char *metadata; int64_t flags; int64_t n_children;
    struct ArrowSchema **children; struct ArrowSchema *dictionary; void (*release)(struct ArrowSchema *);
    void *private_data;
};
struct ArrowArray {
    int64_t length; int64_t null_count; int64_t offset; int64_t n_buffers; int64_t n_children;
    const void **buffers; struct ArrowArray **children; struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *); void *private_data;
};
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

enum { UNSURE = 0, INVALID = 1, HOME = 2, OPEN = 3, VALID = 4 };
enum { LARGE = 1, SMALL = 2, VIEW = 3 };

#define MAX_HOMES 16
#define NO_REGION 0
#define OTHER_REGION 255

typedef struct {
    int homes;
    char cc[MAX_HOMES][4];
    int cc_len[MAX_HOMES];
    const uint8_t *known;  /* known[v]: v (1-999, written without leading zeros) is a country code */
} Codes;

static int is_space(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int is_separator(uint8_t c) {
    return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')';
}
static int is_letter(uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int starts(const char *s, int n, const char *p, int m) { return n >= m && memcmp(s, p, (size_t)m) == 0; }

/* The classification program (see intake.cpass.program for the layout it is built with). */
#define TYPE_SIZE 16   /* general, general (any length), fixed, mobile, same mobile and fixed, n special, special... */
#define REGION_SIZE 8  /* types, local-only lengths, gives up on 180020 (GB), first sibling, siblings (-1:
                          unknown), cc, cc digits, the general pattern's longest length */
#define SIBLING_SIZE 3 /* out code, leading digits (-1: none), types */

typedef struct {
    const int32_t *next;      /* state * 10 + digit -> state, -1: no match */
    const uint8_t *accept;
    const int32_t *matchers;  /* (start state, lengths mask: bit n for n digits; 0: any length) */
    const int32_t *types, *regions, *siblings;
    int64_t states, n_matchers, n_types, n_regions, n_siblings;
} Program;

static int bit(int32_t mask, int n) { return n >= 0 && n < 31 && ((mask >> n) & 1); }

static int full(const Program *p, int32_t m, const char *d, int n) {
    if (m < 0) return 0;
    int32_t state = p->matchers[2 * m], mask = p->matchers[2 * m + 1];
    if (mask && !bit(mask, n)) return 0;
    for (int k = 0; k < n; k++) {
        state = p->next[state * 10 + (d[k] - '0')];
        if (state < 0) return 0;
    }
    return p->accept[state];
}

static int prefix(const Program *p, int32_t m, const char *d, int n) {
    int32_t state = p->matchers[2 * m];
    for (int k = 0; k < n; k++) {
        if (p->accept[state]) return 1;
        state = p->next[state * 10 + (d[k] - '0')];
        if (state < 0) return 0;
    }
    return p->accept[state];
}

/* intake.phones._classify: valid (not UNKNOWN) and, when valid, mobile. */
static int classify(const Program *p, int32_t t, const char *d, int n, int *mobile) {
    const int32_t *ty = p->types + (int64_t)t * TYPE_SIZE;
    if (!full(p, ty[0], d, n)) return 0;
    int special = 0;
    for (int i = 0; i < ty[5] && !special; i++) special = full(p, ty[6 + i], d, n);
    int fixed = full(p, ty[2], d, n), mob = full(p, ty[3], d, n);
    if (ty[4]) {
        *mobile = !special;
        return special || fixed;
    }
    *mobile = !special && mob;
    return special || fixed || mob;
}

/* A HOME row's national number as written (`r`, n digits) in home region h (1-based). */
static uint8_t settle(const Program *p, int h, const char *r, int n, uint8_t *out, int64_t *number,
                      uint8_t *mobile_out) {
    const int32_t *rg = p->regions + (int64_t)(h - 1) * REGION_SIZE;
    const int32_t *ty = p->types + (int64_t)rg[0] * TYPE_SIZE;
    if (rg[2] && starts(r, n, "180020", 6)) return OPEN;  /* GB: fast_parse gives up on this prefix */
    const char *nsn = r;
    int nn = n;
    if (n > 0 && r[0] == '0') {  /* core.phone._strip_national_prefix for a "0" prefix */
        int m = n - 1, lengths = p->matchers[2 * ty[0] + 1];
        int keeps = (full(p, ty[1], r, n) && !full(p, ty[1], r + 1, m)) || bit(rg[1], m)
                    || (!bit(lengths, m) && m <= rg[7]);
        if (!keeps) {
            nsn = r + 1;
            nn = m;
        }
    }
    int mobile = 0, code = h;
    int valid = classify(p, rg[0], nsn, nn, &mobile);
    if (!valid) {
        if (rg[4] < 0) return OPEN;  /* a sibling region without metadata: phonenumbers decides */
        int picked = 0;
        for (int i = 0; i < rg[4] && !picked; i++) {
            const int32_t *sb = p->siblings + (int64_t)(rg[3] + i) * SIBLING_SIZE;
            int sibling_mobile = 0;
            int sibling_valid = classify(p, sb[2], nsn, nn, &sibling_mobile);
            if (sb[1] >= 0 ? prefix(p, sb[1], nsn, nn) : sibling_valid) {
                picked = 1;
                valid = sibling_valid;
                mobile = sibling_mobile;
                code = sb[0];
            }
        }
        if (!valid) return INVALID;
    }
    if (nn > 0 && nsn[0] == '0') return OPEN;  /* a kept zero: phonenumbers' answer is another number */
    if (rg[6] + nn > 18) return OPEN;
    int64_t value = rg[5];
    for (int k = 0; k < nn; k++) value = value * 10 + (nsn[k] - '0');
    *out = (uint8_t)code;
    *number = value;
    *mobile_out = (uint8_t)mobile;
    return VALID;
}

/* One row: `s` (n bytes), its default region (0: none, 1..homes: a home region, 255: another). */
static uint8_t split_one(const uint8_t *s, int64_t n, uint8_t region, const Codes *codes, const Program *program,
                         uint8_t *home, int64_t *rest, uint8_t *rest_len) {
    int64_t i = 0, end = n;
    int letter = 0;
    for (int64_t k = 0; k < n; k++) {
        if (s[k] >= 0x80) return UNSURE;
        letter |= is_letter(s[k]);
    }
    /* ^\s*\+?[0-9 \-./()]+\s*$ with ASCII white space */
    while (i < end && is_space(s[i])) i++;
    while (end > i && is_space(s[end - 1])) end--;
    int plus = i < end && s[i] == '+';
    int64_t body = i + plus;
    if (body >= end) {
        /* white space only, or "+" alone: not plain ("[...]+" needs a character) */
        return letter ? INVALID : UNSURE;
    }
    char digits[32];
    int nd = 0;
    for (int64_t k = body; k < end; k++) {
        uint8_t c = s[k];
        if (c >= '0' && c <= '9') {
            if (nd >= 30) return UNSURE;
            digits[nd++] = (char)c;
        } else if (!is_separator(c)) {
            return letter ? INVALID : UNSURE;
        }
    }
    if (nd == 0) return INVALID;
    if (!plus && region == NO_REGION) return INVALID;
    int is_home = region != NO_REGION && region != OTHER_REGION;
    const char *intl = NULL, *nat = NULL;
    int n_intl = 0, n_nat = 0;
    if (plus) {
        intl = digits; n_intl = nd;
    } else if (is_home && starts(digits, nd, "00", 2)) {
        intl = digits + 2; n_intl = nd - 2;
    } else if (is_home) {
        nat = digits; n_nat = nd;
    }
    if (intl != NULL && (n_intl == 0 || intl[0] != '0')) {
        int found = 0, v = 0;
        for (int k = 0; k < 3 && k < n_intl; k++) {
            v = v * 10 + (intl[k] - '0');
            found |= codes->known[v];
        }
        if (!found) return INVALID;
    }
    const char *r = NULL;
    int n_r = 0;
    if (intl != NULL) {
        for (int h = 0; h < codes->homes; h++) {
            if (starts(intl, n_intl, codes->cc[h], codes->cc_len[h])) {
                *home = (uint8_t)(h + 1);
                r = intl + codes->cc_len[h]; n_r = n_intl - codes->cc_len[h];
                break;
            }
        }
    } else if (nat != NULL) {
        int h = region - 1;
        if (nat[0] == '0' || !starts(nat, n_nat, codes->cc[h], codes->cc_len[h])) {
            *home = region;
            r = nat; n_r = n_nat;
        }
    }
    if (r == NULL) return OPEN;
    if (program != NULL) return settle(program, *home, r, n_r, home, rest, rest_len);
    if (n_r > 18) return UNSURE;
    int64_t value = 0;
    for (int k = 0; k < n_r; k++) value = value * 10 + (r[k] - '0');
    *rest = value;
    *rest_len = (uint8_t)n_r;
    return HOME;
}

typedef struct {
    Py_buffer buf;
    int held;
} Out;

static int writable(PyObject *obj, Out *out, Py_ssize_t itemsize, Py_ssize_t rows, const char *name) {
    if (PyObject_GetBuffer(obj, &out->buf, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0) return -1;
    out->held = 1;
    if (out->buf.len != itemsize * rows) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes, %zd expected", name, out->buf.len, itemsize * rows);
        return -1;
    }
    return 0;
}

static int program_error(const char *why) {
    PyErr_Format(PyExc_ValueError, "the classification program: %s", why);
    return -1;
}

/* The program's six buffers (next, accept, matchers, types, regions, siblings), checked so that no index
   in them leads outside them. */
static int read_program(PyObject *obj, Out *parts, Program *p, int homes) {
    PyObject *seq = PySequence_Fast(obj, "the program: a sequence of six buffers");
    if (seq == NULL) return -1;
    if (PySequence_Fast_GET_SIZE(seq) != 6) {
        Py_DECREF(seq);
        return program_error("six buffers expected");
    }
    for (int i = 0; i < 6; i++) {
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(seq, i), &parts[i].buf, PyBUF_C_CONTIGUOUS) < 0) {
            Py_DECREF(seq);
            return -1;
        }
        parts[i].held = 1;
    }
    Py_DECREF(seq);
    static const Py_ssize_t unit[6] = {40, 1, 8, 4 * TYPE_SIZE, 4 * REGION_SIZE, 4 * SIBLING_SIZE};
    for (int i = 0; i < 6; i++)
        if (parts[i].buf.len % unit[i]) return program_error("a buffer of the wrong size");
    p->next = parts[0].buf.buf;
    p->accept = parts[1].buf.buf;
    p->matchers = parts[2].buf.buf;
    p->types = parts[3].buf.buf;
    p->regions = parts[4].buf.buf;
    p->siblings = parts[5].buf.buf;
    p->states = parts[0].buf.len / 40;
    p->n_matchers = parts[2].buf.len / 8;
    p->n_types = parts[3].buf.len / (4 * TYPE_SIZE);
    p->n_regions = parts[4].buf.len / (4 * REGION_SIZE);
    p->n_siblings = parts[5].buf.len / (4 * SIBLING_SIZE);
    if (p->states < 1 || parts[1].buf.len != p->states || p->n_regions != homes)
        return program_error("states, accepting states and regions do not agree");
    for (int64_t i = 0; i < p->states * 10; i++)
        if (p->next[i] < -1 || p->next[i] >= p->states) return program_error("a state out of range");
    for (int64_t i = 0; i < p->n_matchers; i++)
        if (p->matchers[2 * i] < 0 || p->matchers[2 * i] >= p->states) return program_error("a matcher out of range");
    for (int64_t t = 0; t < p->n_types; t++) {
        const int32_t *ty = p->types + t * TYPE_SIZE;
        if (ty[5] < 0 || ty[5] > TYPE_SIZE - 6) return program_error("too many special types");
        for (int i = 0; i < 6 + ty[5]; i++)
            if (i != 4 && i != 5 && (ty[i] < -1 || ty[i] >= p->n_matchers || (i < 2 && ty[i] < 0)))
                return program_error("a type's matcher out of range");
    }
    for (int64_t h = 0; h < p->n_regions; h++) {
        const int32_t *rg = p->regions + h * REGION_SIZE;
        if (rg[0] < 0 || rg[0] >= p->n_types || rg[3] < 0 || rg[4] < -1 || rg[3] + rg[4] > p->n_siblings
            || rg[5] < 1 || rg[6] < 1 || rg[6] > 3 || rg[7] < 0 || rg[7] > 30)
            return program_error("a region out of range");
    }
    for (int64_t i = 0; i < p->n_siblings; i++) {
        const int32_t *sb = p->siblings + i * SIBLING_SIZE;
        if (sb[0] < 1 || sb[0] > 255 || sb[1] < -1 || sb[1] >= p->n_matchers || sb[2] < 0 || sb[2] >= p->n_types)
            return program_error("a sibling out of range");
    }
    return 0;
}

static PyObject *split(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *capsule, *region_obj, *codes_obj, *known_obj, *status_obj, *home_obj, *rest_obj, *len_obj;
    PyObject *program_obj = Py_None;
    if (!PyArg_ParseTuple(args, "OOOOOOOO|O", &capsule, &region_obj, &codes_obj, &known_obj, &status_obj,
                          &home_obj, &rest_obj, &len_obj, &program_obj))
        return NULL;
    struct ArrowArrayStream *stream = PyCapsule_GetPointer(capsule, "arrow_array_stream");
    if (stream == NULL) return NULL;

    Codes codes;
    memset(&codes, 0, sizeof codes);
    PyObject *seq = PySequence_Fast(codes_obj, "the home regions' country codes: a sequence of str");
    if (seq == NULL) return NULL;
    codes.homes = (int)PySequence_Fast_GET_SIZE(seq);
    if (codes.homes > MAX_HOMES) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError, "too many home regions");
        return NULL;
    }
    for (int h = 0; h < codes.homes; h++) {
        Py_ssize_t size;
        const char *cc = PyUnicode_AsUTF8AndSize(PySequence_Fast_GET_ITEM(seq, h), &size);
        if (cc == NULL || size < 1 || size > 3) {
            Py_DECREF(seq);
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "a country code has 1-3 digits");
            return NULL;
        }
        memcpy(codes.cc[h], cc, (size_t)size);
        codes.cc_len[h] = (int)size;
    }
    Py_DECREF(seq);

    Out region = {0}, known = {0}, status = {0}, home = {0}, rest = {0}, rest_len = {0};
    Out parts[6];
    memset(parts, 0, sizeof parts);
    Program program;
    const Program *run = NULL;
    PyObject *result = NULL;
    struct ArrowSchema schema = {0};
    if (program_obj != Py_None) {
        if (read_program(program_obj, parts, &program, codes.homes) < 0) goto done;
        run = &program;
    }
    if (PyObject_GetBuffer(region_obj, &region.buf, PyBUF_C_CONTIGUOUS) < 0) goto done;
    region.held = 1;
    Py_ssize_t rows = region.buf.len;
    if (PyObject_GetBuffer(known_obj, &known.buf, PyBUF_C_CONTIGUOUS) < 0) goto done;
    known.held = 1;
    if (known.buf.len != 1000) {
        PyErr_SetString(PyExc_ValueError, "known: 1000 bytes expected");
        goto done;
    }
    codes.known = known.buf.buf;
    if (writable(status_obj, &status, 1, rows, "status") < 0 || writable(home_obj, &home, 1, rows, "home") < 0 ||
        writable(rest_obj, &rest, 8, rows, "rest") < 0 || writable(len_obj, &rest_len, 1, rows, "rest_len") < 0)
        goto done;
    if (stream->get_schema(stream, &schema) != 0) {
        PyErr_SetString(PyExc_RuntimeError, "the Arrow stream gave no schema");
        goto done;
    }
    int kind = strcmp(schema.format, "vu") == 0 ? VIEW : strcmp(schema.format, "U") == 0 ? LARGE
               : strcmp(schema.format, "u") == 0 ? SMALL : 0;
    if (schema.release) schema.release(&schema);
    if (!kind) {
        PyErr_SetString(PyExc_TypeError, "a string column is needed");
        goto done;
    }
    const uint8_t *regions = region.buf.buf;
    uint8_t *st = status.buf.buf, *hm = home.buf.buf, *ln = rest_len.buf.buf;
    int64_t *rs = rest.buf.buf;
    memset(st, UNSURE, (size_t)rows);
    memset(hm, 0, (size_t)rows);
    memset(ln, 0, (size_t)rows);
    memset(rs, 0, (size_t)rows * 8);
    int64_t row = 0;
    int failed = 0;
    for (;;) {
        struct ArrowArray array = {0};
        if (stream->get_next(stream, &array) != 0) {
            failed = 1;
            break;
        }
        if (array.release == NULL) break;  /* the end of the stream */
        if (row + array.length > rows) {
            array.release(&array);
            failed = 2;
            break;
        }
        Py_BEGIN_ALLOW_THREADS
        const uint8_t *valid = array.buffers[0];
        for (int64_t i = 0; i < array.length; i++, row++) {
            int64_t at = array.offset + i;
            if (valid != NULL && !((valid[at >> 3] >> (at & 7)) & 1)) continue;  /* null: UNSURE */
            const uint8_t *s;
            int64_t n;
            if (kind == VIEW) {
                const uint8_t *view = (const uint8_t *)array.buffers[1] + 16 * at;
                int32_t size, index, offset;
                memcpy(&size, view, 4);
                if (size <= 12) {
                    s = view + 4;
                } else {
                    memcpy(&index, view + 8, 4);
                    memcpy(&offset, view + 12, 4);
                    /* buffers: validity, views, the data buffers, their sizes (the last) */
                    if (index < 0 || 2 + (int64_t)index >= array.n_buffers - 1 || offset < 0) continue;
                    s = (const uint8_t *)array.buffers[2 + index] + offset;
                }
                n = size;
            } else if (kind == LARGE) {
                const int64_t *offsets = array.buffers[1];
                s = (const uint8_t *)array.buffers[2] + offsets[at];
                n = offsets[at + 1] - offsets[at];
            } else {
                const int32_t *offsets = array.buffers[1];
                s = (const uint8_t *)array.buffers[2] + offsets[at];
                n = offsets[at + 1] - offsets[at];
            }
            st[row] = split_one(s, n, regions[row], &codes, run, &hm[row], &rs[row], &ln[row]);
        }
        Py_END_ALLOW_THREADS
        array.release(&array);
    }
    if (failed == 1) {
        const char *why = stream->get_last_error ? stream->get_last_error(stream) : NULL;
        PyErr_Format(PyExc_RuntimeError, "the Arrow stream failed: %s", why ? why : "no reason given");
    } else if (failed == 2 || row != rows) {
        PyErr_Format(PyExc_ValueError, "the column and the regions differ in length (%zd regions)", rows);
    } else {
        result = Py_None;
        Py_INCREF(result);
    }
done:
    if (region.held) PyBuffer_Release(&region.buf);
    if (known.held) PyBuffer_Release(&known.buf);
    if (status.held) PyBuffer_Release(&status.buf);
    if (home.held) PyBuffer_Release(&home.buf);
    if (rest.held) PyBuffer_Release(&rest.buf);
    if (rest_len.held) PyBuffer_Release(&rest_len.buf);
    for (int i = 0; i < 6; i++)
        if (parts[i].held) PyBuffer_Release(&parts[i].buf);
    return result;
}

static PyMethodDef methods[] = {
    {"split", split, METH_VARARGS,
     "split(stream, regions, codes, known, status, home, rest, rest_len[, program]): see the C source."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_phonesplit",
                                    "intake.phones._settle in one pass, in C.", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__phonesplit(void) { return PyModule_Create(&module); }
