"""Formal notices (书面凭证): the written acts a case's steps issue, numbered and verifiable."""
