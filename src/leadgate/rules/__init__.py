"""Law as data: the rulebooks (one TOML file per jurisdiction plus the good-practice defaults), their
schema, and the organisation file that may tighten them. Every rule carries its effective dates, the
article or guidance it rests on and a confidence; the decision core reads them, never hard-codes them."""
