"""Web push (RFC 8030/8291, VAPID RFC 8292): subscriptions of devices and delivery to them."""
