"""Gettext catalogues of the rule messages: <lang>/LC_MESSAGES/kzdocs.po and its .mo."""
