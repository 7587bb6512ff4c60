"""Dispute procedures agreed by a body, disputes and their stages. Built by
the disputes work."""
