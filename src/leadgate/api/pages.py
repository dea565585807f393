"""The small HTML pages people see when they follow a link from an e-mail (unsubscribe, confirm a
subscription): Dutch, French or English by `Accept-Language` (q-values honoured, English by default),
every value escaped, no scripts, no external resources, not cached, not indexed, no referrer (the URL
holds the token)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from fastapi.responses import HTMLResponse

LANGUAGES = ("en", "nl", "fr")
DEFAULT = "en"

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "unsubscribe.title": "Unsubscribe",
        "unsubscribe.ask": "Do you want to stop receiving these e-mails? Press the button to unsubscribe.",
        "unsubscribe.button": "Unsubscribe",
        "unsubscribe.done": "You are unsubscribed. You will receive no more of these e-mails.",
        "unsubscribe.already": "You were already unsubscribed. You will receive no more of these e-mails.",
        "unsubscribe.unknown": "We no longer hold this e-mail address, so we cannot send you anything.",
        "confirm.title": "Confirm your subscription",
        "confirm.ask": "Press the button to confirm that you agree to receive these e-mails:",
        "confirm.button": "Confirm",
        "confirm.done": "Thank you: your consent is confirmed. You can withdraw it at any time.",
        "confirm.already": "Your consent was already confirmed. You can withdraw it at any time.",
        "error.title": "This link does not work",
        "error.invalid": "This link is not valid. Please use the link from the e-mail exactly as it was sent.",
        "error.expired": "This link has expired. Nothing was changed.",
    },
    "nl": {
        "unsubscribe.title": "Afmelden",
        "unsubscribe.ask": "Wilt u deze e-mails niet meer ontvangen? Druk op de knop om u af te melden.",
        "unsubscribe.button": "Afmelden",
        "unsubscribe.done": "U bent afgemeld. U ontvangt deze e-mails niet meer.",
        "unsubscribe.already": "U was al afgemeld. U ontvangt deze e-mails niet meer.",
        "unsubscribe.unknown": "Wij bewaren dit e-mailadres niet meer en kunnen u dus niets sturen.",
        "confirm.title": "Bevestig uw aanmelding",
        "confirm.ask": "Druk op de knop om te bevestigen dat u deze e-mails wilt ontvangen:",
        "confirm.button": "Bevestigen",
        "confirm.done": "Dank u: uw toestemming is bevestigd. U kunt die altijd weer intrekken.",
        "confirm.already": "Uw toestemming was al bevestigd. U kunt die altijd weer intrekken.",
        "error.title": "Deze link werkt niet",
        "error.invalid": "Deze link is ongeldig. Gebruik de link uit de e-mail precies zoals die is verstuurd.",
        "error.expired": "Deze link is verlopen. Er is niets gewijzigd.",
    },
    "fr": {
        "unsubscribe.title": "Désinscription",
        "unsubscribe.ask": "Vous ne souhaitez plus recevoir ces e-mails ? Appuyez sur le bouton pour vous désinscrire.",
        "unsubscribe.button": "Me désinscrire",
        "unsubscribe.done": "Vous êtes désinscrit(e). Vous ne recevrez plus ces e-mails.",
        "unsubscribe.already": "Vous étiez déjà désinscrit(e). Vous ne recevrez plus ces e-mails.",
        "unsubscribe.unknown": "Nous ne conservons plus cette adresse e-mail : nous ne pouvons rien vous envoyer.",
        "confirm.title": "Confirmez votre inscription",
        "confirm.ask": "Appuyez sur le bouton pour confirmer que vous acceptez de recevoir ces e-mails :",
        "confirm.button": "Confirmer",
        "confirm.done": "Merci : votre consentement est confirmé. Vous pouvez le retirer à tout moment.",
        "confirm.already": "Votre consentement était déjà confirmé. Vous pouvez le retirer à tout moment.",
        "error.title": "Ce lien ne fonctionne pas",
        "error.invalid": "Ce lien n'est pas valide. Utilisez le lien de l'e-mail tel qu'il a été envoyé.",
        "error.expired": "Ce lien a expiré. Rien n'a été modifié.",
    },
}

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    # Inline style only; the form may post back to this server and nowhere else; no framing.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
}

STYLE = ("body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}"
         "button{font-size:1rem;padding:.6rem 1.2rem}blockquote{border-left:3px solid #888;margin:1rem 0;"
         "padding-left:1rem}")


def negotiate(accept_language: str | None) -> str:
    """The supported language the header prefers most, else English. A language's weight is the highest
    q of the entries naming it (`nl-BE` names nl); `*` weighs every language not named; ties go to the
    earlier entry. Malformed entries are skipped, q=0 rules a language out."""
    named: dict[str, tuple[float, int]] = {}
    anything: tuple[float, int] | None = None
    for position, entry in enumerate((accept_language or "")[:2000].split(",")[:50]):
        tag, _, params = entry.partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = _quality(params)
        if q is None:
            continue
        if primary == "*":
            anything = anything or (q, position)
        elif primary in LANGUAGES and (primary not in named or q > named[primary][0]):
            named[primary] = (q, position)
    weights = {lang: named.get(lang, anything) for lang in LANGUAGES}
    ranked = sorted(((-w[0], w[1], LANGUAGES.index(lang), lang) for lang, w in weights.items()
                     if w is not None and w[0] > 0))
    return ranked[0][3] if ranked else DEFAULT


def _quality(params: str) -> float | None:
    """The q of `q=0.8` (1.0 when absent), None when it is not a number from 0 to 1."""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return None
            return q if 0.0 <= q <= 1.0 else None
    return 1.0


@dataclass(frozen=True)
class Form:
    button: str  # a key of TEXTS
    fields: dict[str, str]  # hidden fields posted with the button


def page(lang: str, *, title: str, lines: list[str], quote: str | None = None, form: Form | None = None,
         status_code: int = 200) -> HTMLResponse:
    """A page from TEXTS keys (`lines`) and at most one quoted user text, everything escaped."""
    words = TEXTS[lang]
    body = "".join(f"<p>{html.escape(words[key])}</p>" for key in lines)
    if quote is not None:
        body += f"<blockquote>{html.escape(quote)}</blockquote>"
    if form is not None:
        # No action: the form posts to the URL of this page, whatever proxy path it was reached on.
        hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in form.fields.items())
        body += f'<form method="post">{hidden}<button type="submit">{html.escape(words[form.button])}</button></form>'
    document = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width,initial-scale=1">'
                f"<title>{html.escape(words[title])}</title><style>{STYLE}</style></head>"
                f"<body><h1>{html.escape(words[title])}</h1>{body}</body></html>")
    return HTMLResponse(document, status_code=status_code, headers={**HEADERS, "Content-Language": lang})
