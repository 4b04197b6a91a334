"""Who may do what in cockpit; each predicate returns Allowed or Denied(reason)."""
