"""The browser UI: login, the chat page, guest access by link, and the external call iframe."""
