// Registers the field service worker (being written).
