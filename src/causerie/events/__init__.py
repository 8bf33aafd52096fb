"""Wake-ups: an in-process hub of waiters, and brokers that carry pokes between processes."""
