"""Contact attempts and their outcomes as the call centres report them: the contact-pressure history the
rules count, the opt-outs heard on the phone (which become objections at once) and the connected calls
that consume a single-use consent."""
