"""Connexion security callbacks: a key becomes an account, or a 401/403 in the vendor's voice."""

from __future__ import annotations


def bearer_info(token, request=None):
    return _info(token, request)


def apikey_info(apikey, required_scopes=None, request=None):
    return _info(apikey, request)


def _info(key, request):
    account = request.scope["darkroom.sandbox"].authenticate(key)
    return {"sub": account.id, "account": account}
