"""Image and video hashing and matching: PDQ, vPDQ-compatible video, MD5 and SHA-256.

The names most callers need are re-exported here; see the submodules for the rest.
"""

from lindung.detect.media.errors import MediaError, MediaErrorCode
from lindung.detect.media.hashing import (
    PDQ_MIN_QUALITY,
    MediaHashes,
    MediaLimits,
    PdqHash,
    hash_bytes,
    hash_file,
    pdq_dihedral_hashes,
    pdq_hash_image,
)
from lindung.detect.media.index import PdqIndex
from lindung.detect.media.video import (
    VideoFrameHash,
    VideoMatch,
    frames_from_vpdq_json,
    frames_from_vpdq_text,
    frames_to_vpdq_json,
    frames_to_vpdq_text,
    hash_video,
    match_video,
)

__all__ = [
    "PDQ_MIN_QUALITY",
    "MediaError",
    "MediaErrorCode",
    "MediaHashes",
    "MediaLimits",
    "PdqHash",
    "PdqIndex",
    "VideoFrameHash",
    "VideoMatch",
    "frames_from_vpdq_json",
    "frames_from_vpdq_text",
    "frames_to_vpdq_json",
    "frames_to_vpdq_text",
    "hash_bytes",
    "hash_file",
    "hash_video",
    "match_video",
    "pdq_dihedral_hashes",
    "pdq_hash_image",
]
