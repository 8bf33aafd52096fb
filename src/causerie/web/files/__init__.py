"""Files over HTTP: the WebDAV subset the apps use, previews, downloads and public share links."""
