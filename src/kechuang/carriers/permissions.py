"""Who may do what in carriers; each predicate returns Allowed or Denied(reason). Areas append blocks."""
