"""Signing in: second factor (django-otp), single sign-on (OpenID Connect), API tokens."""
