"""The platform-neutral core of deseo, one folder per capability.

- `conversation/`: flow definitions, the pure engine, answers, reports, the conversation service
- `surveys/`: campaigns, results, exports, XLSForm import
- `directory/`: the support-service directory, HSDS, matching, orientation
- `referrals/`, `meetings/`, `threads/`: their records, rules and services
- `outbox/`: messages owed to chats and the dispatcher; `people/`: people, roles, chats, codes
- `clock`, `times`, `slugs`, `transaction`: small pieces every feature may use
- `unit_of_work`: every feature's repositories in one transaction, for `storage/` to implement

Other packages import a feature through its package (`from flows.meetings import
MeetingService`), whose `__all__` lists what it offers; a feature's own modules import each
other directly, and other features only through their packages.
"""
