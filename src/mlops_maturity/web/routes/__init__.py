"""HTTP routes: parse the request, ask a service, render the answer. No SQL, no business rules."""
