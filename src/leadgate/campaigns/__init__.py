"""Campaigns and partners: a campaign's lawful basis and balancing test (LIA), caller ID, sector,
automated dialer and the call centres that work it (with their share); partners are the lead suppliers
and call centres the organisation stays responsible for (ketenverantwoordelijkheid)."""
