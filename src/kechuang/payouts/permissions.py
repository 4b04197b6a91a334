"""Who may do what in payouts; each predicate returns Allowed or Denied(reason)."""
