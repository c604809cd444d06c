"""One module per fact: a reader that touches the node through a Context and
a pure parser of text.  Each reader returns a dict of attributes ({} when its
source is absent or failed, the failure noted in the Context)."""
