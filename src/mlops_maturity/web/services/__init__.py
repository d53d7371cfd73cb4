"""What the application does. Each public function takes the Store, the acting `Principal` and
plain values, runs in one `Store.unit` (the store commits, never a service), checks what the
principal may do, and returns plain dataclasses (never ORM rows)."""
