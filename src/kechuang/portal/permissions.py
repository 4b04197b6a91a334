"""Who may publish on the portal; each predicate returns Allowed or Denied(reason)."""
