"""E-mail lint: what the rules require a marketing e-mail to carry and a given message lacks — a real
sender, the organisation's name and address, an unsubscribe link and the one-click unsubscribe headers,
why the person receives it, and at a first contact from bought or rented data where the address came from
and the person's rights. The requirements are data in the rulebooks (``[[email_requirement]]``, with
references, dates and confidence); this package owns parsing a message (``message``, ``html``), the pure
checks (``core``), the words it recognises per language (``data/vocabulary.toml``) and the one function
that reads the store (``service``)."""
