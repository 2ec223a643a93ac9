"""HTTP layer: thin views that parse the request, check permission, call a service and render."""
