"""Who may do what in targets; each predicate returns Allowed or Denied(reason)."""
