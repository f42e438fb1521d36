"""Operations an administrator runs from the command line: backups and their restore, rotating DATA_KEY."""
