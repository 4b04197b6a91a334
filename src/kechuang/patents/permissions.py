"""Who may do what in patents; each predicate returns Allowed or Denied(reason). Areas append blocks."""
