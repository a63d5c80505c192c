"""The forum's discussion as a service: what pages and the JSON API both call to read and write
boards, threads and posts.

Each call opens its own unit of work, asks `forum.permissions` whether the viewer may, renders
Markdown through `forum.markdown`, and answers with the repository's typed records, or refuses
with a `DiscussionError` (one of `forum.discussion_terms`) that says why (and which HTTP
status fits it).
"""

from __future__ import annotations

from fastapi import Request

from flows.clock import Clock
from flows.conversation import clean_text
from flows.people import ChatPlatforms
from flows.threads import WatchedThread, notice_prefix, notices
from forum import permissions
from forum.auth import Viewer
from forum.discussion_terms import (
    REASON_MAX,
    BoardPage,
    Forbidden,
    Invalid,
    Locked,
    ModerationQueue,
    NotFound,
    PostAction,
    PostInThread,
    ThreadAction,
    ThreadPage,
    valid_body,
    valid_reason,
    valid_title,
)
from forum.markdown import plain_text, render
from forum.ratelimit import RateLimiter
from storage import (
    DELETED,
    HIDDEN,
    PENDING,
    VISIBLE,
    BoardRecord,
    BoardSummary,
    Database,
    ForumCounts,
    PostRecord,
    RevisionRecord,
    Scope,
    SqlUnitOfWork,
    ThreadRecord,
)

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 20

# Which statuses each action may start from, and the one it leads to.
_TRANSITIONS = {
    PostAction.HIDE: ({VISIBLE, PENDING}, HIDDEN),
    PostAction.DELETE: ({VISIBLE, PENDING, HIDDEN}, DELETED),
    PostAction.RESTORE: ({HIDDEN, DELETED}, VISIBLE),
    PostAction.APPROVE: ({PENDING}, VISIBLE),
}


def scope(who: Viewer | None) -> Scope:
    """What `who` may see, as the repository takes it."""
    return Scope(
        everything=permissions.can_see_everything(who),
        person_id=None if who is None else who.person_id,
    )


class Discussion:
    """Boards, threads and posts as a viewer may read and change them."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        limiter: RateLimiter | None = None,
        *,
        public_url: str = "",
        platforms: ChatPlatforms | None = None,
    ):
        self._database = database
        self._clock = clock
        self._limiter = limiter
        # Where the links in the notices to chats that follow a thread point.
        self._public_url = public_url
        # How the bots reach people, to know an author's own private chats.
        self._platforms = platforms or ChatPlatforms()

    def _work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._database)

    def _hit(self, action: str, who: Viewer) -> None:
        if self._limiter is not None:
            self._limiter.hit(action, str(who.person_id))

    # Reading --------------------------------------------------------------------------------

    async def front_page(self) -> list[BoardSummary]:
        async with self._work() as work:
            return await work.forum.board_summaries()

    async def boards(self) -> list[BoardRecord]:
        async with self._work() as work:
            return await work.forum.boards()

    async def board(self, slug: str) -> BoardRecord:
        async with self._work() as work:
            found = await work.forum.board_by_slug(slug)
        if found is None:
            raise NotFound("There is no such board.")
        return found

    async def board_page(
        self, who: Viewer | None, board_ref: str | int, page: int = 1
    ) -> BoardPage:
        """One page of a board's threads; the board by its slug, or by its id (the API's)."""
        async with self._work() as work:
            if isinstance(board_ref, int):
                board = await work.forum.board(board_ref)
            else:
                board = await work.forum.board_by_slug(board_ref)
            if board is None:
                raise NotFound("There is no such board.")
            threads = await work.forum.threads(
                board.id, scope(who), page=page, size=THREADS_PER_PAGE
            )
        if page > threads.pages:
            raise NotFound(f"This board has {threads.pages} page(s).")
        return BoardPage(board, threads)

    async def thread_page(self, who: Viewer | None, thread_id: int, page: int = 1) -> ThreadPage:
        async with self._work() as work:
            thread = await work.forum.thread(thread_id)
            if thread is None or not permissions.can_see_thread(who, thread):
                raise NotFound("There is no such thread.")
            board = await work.forum.board(thread.board_id)
            assert board is not None
            posts = await work.forum.posts(thread.id, scope(who), page=page, size=POSTS_PER_PAGE)
            first = await work.forum.first_post_id(thread.id)
        if page > posts.pages:
            raise NotFound(f"This thread has {posts.pages} page(s).")
        return ThreadPage(thread, board, posts, first)

    async def post(self, who: Viewer | None, post_id: int) -> PostInThread:
        """A post the viewer may see, with its thread; NotFound for any other."""
        async with self._work() as work:
            return await self._post(work, who, post_id)

    async def _post(self, work: SqlUnitOfWork, who: Viewer | None, post_id: int) -> PostInThread:
        post = await work.forum.post(post_id)
        if post is None or not permissions.can_see_post(who, post):
            raise NotFound("There is no such post.")
        thread = await work.forum.thread(post.thread_id)
        assert thread is not None
        if not permissions.can_see_thread(who, thread):
            raise NotFound("There is no such post.")
        first = await work.forum.first_post_id(thread.id)
        return PostInThread(post, thread, first == post.id)

    async def locate(self, who: Viewer | None, post_id: int) -> tuple[int, int]:
        """The thread and the page (of the viewer's pages) a post is on."""
        async with self._work() as work:
            found = await self._post(work, who, post_id)
            before = await work.forum.position(post_id, scope(who))
        return found.thread.id, (before or 0) // POSTS_PER_PAGE + 1

    async def history(
        self, who: Viewer | None, post_id: int
    ) -> tuple[PostInThread, list[RevisionRecord]]:
        """A post and the bodies it had before each edit, the latest first."""
        async with self._work() as work:
            found = await self._post(work, who, post_id)
            return found, await work.forum.revisions(post_id)

    async def queue(self, who: Viewer) -> ModerationQueue:
        """Flagged posts and posts waiting for approval, for moderators."""
        self._require_moderator(who)
        async with self._work() as work:
            return ModerationQueue(
                flagged=await work.forum.open_flags(),
                pending=await work.forum.pending_posts(),
            )

    async def counts(self) -> ForumCounts:
        async with self._work() as work:
            return await work.forum.counts()

    # Writing --------------------------------------------------------------------------------

    async def start_thread(self, who: Viewer, board_id: int, title: str, body: str) -> ThreadRecord:
        """A new thread opened by `who`'s post; hidden until approved when it must wait."""
        async with self._work() as work:
            board = await work.forum.board(board_id)
            if board is None:
                raise NotFound("There is no such board.")
            if not permissions.can_start_thread(who, board):
                raise Forbidden(f"Only {board.thread_role}s start threads on {board.title}.")
            title = valid_title(title)
            body = valid_body(body)
            self._hit("post", who)
            pending = permissions.waits_for_approval(
                who, board, await work.forum.has_visible_post(who.person_id)
            )
            thread, _ = await work.forum.create_thread(
                board.id,
                who.person_id,
                title,
                body=body,
                html=render(body),
                text=plain_text(body),
                pending=pending,
                now=self._clock.now(),
            )
            await work.commit()
        return thread

    async def reply(
        self, who: Viewer, thread_id: int, body: str, quote_post_id: int | None = None
    ) -> PostRecord:
        """`who`'s post at the end of the thread, quoting `quote_post_id` if given."""
        async with self._work() as work:
            thread = await work.forum.thread(thread_id)
            if thread is None or not permissions.can_see_thread(who, thread):
                raise NotFound("There is no such thread.")
            if not permissions.can_reply(who, thread):
                raise Locked("This thread is locked: no more replies.")
            if quote_post_id is not None:
                quoted = await work.forum.post(quote_post_id)
                if (
                    quoted is None
                    or quoted.thread_id != thread.id
                    or not permissions.can_see_post(who, quoted)
                ):
                    raise Invalid("The post you quote is not in this thread.")
            body = valid_body(body)
            board = await work.forum.board(thread.board_id)
            assert board is not None
            self._hit("post", who)
            pending = permissions.waits_for_approval(
                who, board, await work.forum.has_visible_post(who.person_id)
            )
            post = await work.forum.reply(
                thread.id,
                who.person_id,
                body=body,
                html=render(body),
                text=plain_text(body),
                pending=pending,
                now=self._clock.now(),
                reply_to_id=quote_post_id,
            )
            if post.status == VISIBLE:
                await self._tell_followers(work, thread, post, plain_text(body))
            await work.commit()
        return post

    async def edit(
        self, who: Viewer, post_id: int, body: str, title: str | None = None
    ) -> PostRecord:
        """Replace a post's body, keeping the old one in its history; the first post of a
        thread may retitle the thread too."""
        async with self._work() as work:
            found = await self._post(work, who, post_id)
            if not permissions.can_edit(who, found.post, found.thread, self._clock.now()):
                raise Forbidden("You can no longer edit this post.")
            body = valid_body(body)
            new_title = None
            if title is not None and found.first_in_thread:
                new_title = valid_title(title)
                if new_title != found.thread.title:
                    await work.forum.retitle(found.thread.id, new_title)
            post = found.post
            if body != post.body:
                edited = await work.forum.edit(
                    post.id,
                    who.person_id,
                    body=body,
                    html=render(body),
                    text=plain_text(body),
                    now=self._clock.now(),
                )
                assert edited is not None
                post = edited
            await work.commit()
        return post

    async def flag(self, who: Viewer, post_id: int, reason: str) -> bool:
        """Ask moderators to look at a post; False when `who` had flagged it already."""
        async with self._work() as work:
            found = await self._post(work, who, post_id)
            if not permissions.can_flag(who, found.post):
                raise Forbidden("You cannot flag this post.")
            reason = valid_reason(reason)
            self._hit("flag", who)
            added = await work.forum.flag(post_id, who.person_id, reason, now=self._clock.now())
            await work.commit()
        return added

    # Moderation -----------------------------------------------------------------------------

    @staticmethod
    def _require_moderator(who: Viewer) -> None:
        if not permissions.can_moderate(who):
            raise Forbidden("This is for moderators.")

    async def moderate_post(
        self, who: Viewer, post_id: int, action: PostAction, note: str = ""
    ) -> PostRecord:
        """Hide, delete, restore or approve a post; hiding or deleting closes its flags."""
        self._require_moderator(who)
        starts, status = _TRANSITIONS[action]
        note = " ".join(clean_text(note).split())[:REASON_MAX]
        async with self._work() as work:
            post = await work.forum.post(post_id)
            if post is None:
                raise NotFound("There is no such post.")
            if post.status not in starts:
                raise Invalid(f"A {post.status} post cannot be {action.value}d.")
            changed = await work.forum.set_status(
                post_id, status, by=who.person_id, note=note or None, text_of=plain_text
            )
            assert changed is not None
            if status in (HIDDEN, DELETED):
                await work.forum.resolve_flags(
                    post_id, by=who.person_id, outcome=status, now=self._clock.now()
                )
                # Notices not yet sent would point at a post nobody can read any more.
                await work.outbox.cancel_keys(notice_prefix(post.thread_id, post_id))
            elif await work.forum.first_post_id(post.thread_id) != post_id:
                # An approved or restored reply is news; an opening post is not (nobody could
                # follow its thread before). A post announced before is not announced again.
                thread = await work.forum.thread(post.thread_id)
                assert thread is not None
                await self._tell_followers(work, thread, changed, plain_text(changed.body))
            await work.commit()
        return changed

    async def _tell_followers(
        self, work: SqlUnitOfWork, thread: ThreadRecord, post: PostRecord, text: str
    ) -> None:
        """Queue a notice of a post everyone can now see to each chat following its thread,
        but not to the author's own private chats, in the same transaction as the post."""
        chats = await work.thread_followers.chats(thread.id)
        if not chats:
            return
        mine = (
            self._platforms.recognised(await work.people.identities(post.author_id))
            if post.author_id is not None
            else frozenset()
        )
        await work.outbox.enqueue(
            notices(
                WatchedThread(thread.id, thread.title, public=not thread.hidden),
                post.id,
                post.author_name,
                text,
                chats,
                public_url=self._public_url,
                now=self._clock.now(),
                skip=mine,
            )
        )

    async def follower_count(self, who: Viewer, thread_id: int) -> int:
        """How many chats follow the thread, for moderators."""
        self._require_moderator(who)
        async with self._work() as work:
            return await work.thread_followers.count(thread_id)

    async def moderate_thread(
        self, who: Viewer, thread_id: int, action: ThreadAction
    ) -> ThreadRecord:
        """Lock, unlock, pin or unpin a thread."""
        self._require_moderator(who)
        async with self._work() as work:
            if await work.forum.thread(thread_id) is None:
                raise NotFound("There is no such thread.")
            if action in (ThreadAction.LOCK, ThreadAction.UNLOCK):
                await work.forum.set_locked(thread_id, action is ThreadAction.LOCK)
            else:
                await work.forum.set_pinned(thread_id, action is ThreadAction.PIN)
            thread = await work.forum.thread(thread_id)
            await work.commit()
        assert thread is not None
        return thread

    async def move(self, who: Viewer, thread_id: int, board_id: int) -> ThreadRecord:
        """Move a thread to another board."""
        self._require_moderator(who)
        async with self._work() as work:
            if await work.forum.thread(thread_id) is None:
                raise NotFound("There is no such thread.")
            if await work.forum.board(board_id) is None:
                raise Invalid("There is no such board to move the thread to.")
            await work.forum.move(thread_id, board_id)
            thread = await work.forum.thread(thread_id)
            await work.commit()
        assert thread is not None
        return thread

    async def resolve_flags(self, who: Viewer, post_id: int, outcome: str = "dismissed") -> int:
        """Close the open flags on a post without changing it; how many were closed."""
        self._require_moderator(who)
        async with self._work() as work:
            if await work.forum.post(post_id) is None:
                raise NotFound("There is no such post.")
            closed = await work.forum.resolve_flags(
                post_id, by=who.person_id, outcome=outcome, now=self._clock.now()
            )
            await work.commit()
        return closed


def discussion(request: Request) -> Discussion:
    """The app's discussion service, made once with the app (on its store, clock, rate limits
    and chat platforms)."""
    found: Discussion = request.app.state.discussion
    return found
