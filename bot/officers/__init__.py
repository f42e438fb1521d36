"""Officers: accounts with roles and agencies, their sign-in tokens, and the audit log of what they do."""
