"""Who may do what in talent; each predicate returns Allowed or Denied(reason). Areas append blocks."""
