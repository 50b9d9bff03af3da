"""Hash banks: named lists of known-material hashes, and the live match index over them."""
