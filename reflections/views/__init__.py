from .annotations import (
    annotation_create,
    annotation_delete,
    annotation_edit,
    annotation_resolve,
    reply_create,
    reply_delete,
    reply_edit,
)
from .dashboard import dashboard, healthz
from .entries import (
    draft_delete,
    draft_save,
    entry_create,
    entry_delete,
    entry_detail,
    entry_edit,
    entry_list,
    entry_preview,
    entry_revisions,
    entry_share,
    entry_unshare,
)
from .pairs import pair_end, pair_invite, pair_list, pair_respond
from .threads import thread_detail

__all__ = [
    "annotation_create",
    "annotation_delete",
    "annotation_edit",
    "annotation_resolve",
    "dashboard",
    "draft_delete",
    "draft_save",
    "entry_create",
    "entry_delete",
    "entry_detail",
    "entry_edit",
    "entry_list",
    "entry_preview",
    "entry_revisions",
    "entry_share",
    "entry_unshare",
    "healthz",
    "pair_end",
    "pair_invite",
    "pair_list",
    "pair_respond",
    "reply_create",
    "reply_delete",
    "reply_edit",
    "thread_detail",
]
