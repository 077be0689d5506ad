"""The hardening battery of issue 14: generated hostile input at every field form and API write.

`hostile.py` holds the world (Bel Air and a marked Fort National), the value strategies, the
per-example rollback and the checks the three test modules share.
"""
