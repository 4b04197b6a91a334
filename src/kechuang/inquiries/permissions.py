"""Who may do what in inquiries; each predicate returns Allowed or Denied(reason)."""
