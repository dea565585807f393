"""People and their contact points: who a lead is (consumer, sole trader, named business contact or a
company's general line) and the normalised phone numbers (E.164) and e-mail addresses that reach them.
The same number or address is the same contact point, whatever format it arrived in."""
