"""Who may use the HTTP API: API keys (stored as hashes, never as the key itself), their role (admin,
compliance, marketing, call_centre, webform) and, for a call centre, the partner it is scoped to. The
routes ask this package who is calling; what each role may do is declared next to each route."""
