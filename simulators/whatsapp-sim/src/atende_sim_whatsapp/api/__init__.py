"""HTTP routes: the Graph API look-alike, the ``/_sim`` control API and the chat page."""
