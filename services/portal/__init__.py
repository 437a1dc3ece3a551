"""The web portal: server-rendered pages over the services' public HTTP APIs, Bulgarian first."""
