"""The HTTP layer: OCS envelopes, parameters, authentication, throttling, endpoints."""
