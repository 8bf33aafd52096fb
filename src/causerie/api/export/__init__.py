"""Export of a conversation's history for its participants."""
