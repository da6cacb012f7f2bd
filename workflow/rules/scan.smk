# Scan mode: `attrament scan` per chunk of long targets; wired once scan writes BED (below).
