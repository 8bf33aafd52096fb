"""User statuses, as Nextcloud's user_status app keeps them."""
