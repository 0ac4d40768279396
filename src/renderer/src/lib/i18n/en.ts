/**
 * English strings, the reference locale: every other locale must translate every key here.
 * Plural keys follow i18next's `_one`/`_other` suffixes; call them without the suffix and pass
 * `count`.
 */
export const en = {
  'app.name': 'Parley',
  'app.windowTitle': '{{room}} — Parley',
  'app.windowTitleUnread': '({{count}}) {{title}}',
  'app.tagline': 'Chat with people on your local network. No internet needed.',
  'app.loading': 'Loading…',
  'app.noBridge': 'This window can’t reach Parley. Restart the app.',
  'app.dismiss': 'Dismiss',

  'language.label': 'Language',
  'language.system': 'System',
  'language.en': 'English',
  'language.zh-CN': '简体中文',

  'nickname.label': 'Your nickname',
  'nickname.hint': 'People see this name in the rooms you join.',
  'nickname.saved': 'Saved',
  'nickname.errorEmpty': 'Enter a nickname.',
  'nickname.errorTooLong': 'Use at most {{max}} characters.',
  'nickname.errorControl': 'A nickname can’t contain control characters.',
  'nickname.errorInvisible': 'A nickname can’t contain invisible or formatting characters.',
  'nickname.errorUnassigned': 'A nickname can’t contain unassigned or private-use characters.',

  'rooms.heading': 'Rooms on your network',
  'rooms.hostedBy': 'hosted by {{host}}',
  'rooms.members_one': '{{count}} member',
  'rooms.members_other': '{{count}} members',
  'rooms.yours': 'Yours',
  'rooms.versionMismatch': 'Needs a different Parley version',
  'rooms.code': 'Code {{code}}',
  'rooms.passcodeLabel': 'Passcode',
  'rooms.certChanged': 'Certificate changed: compare codes with the host',
  'rooms.suspect': 'Possible impostor: another computer answers for this room with a different certificate',
  'rooms.join': 'Join',
  'rooms.joinNamed': 'Join {{name}}',
  'rooms.unread_one': '{{count}} new',
  'rooms.unread_other': '{{count}} new',
  'rooms.knownHeading': 'Rooms you joined before',
  'rooms.hostAgainNamed': 'Host {{name}} again',
  'rooms.notHosted': 'Not hosted now',
  'rooms.hostOffline': 'Host offline',
  'rooms.knownHint': 'Their hosts are not on the network now. Open one to read your saved copy.',
  'rooms.open': 'Open',
  'rooms.openNamed': 'Open {{name}}',
  'rooms.emptyTitle': 'No rooms found yet',
  'rooms.empty':
    'Rooms hosted on your network appear here by themselves. If one you expect is missing, a firewall or the Wi-Fi’s client isolation may be hiding it: ask the host for the room’s address and use Join by address.',

  'host.heading': 'Host a room',
  'host.hint': 'Everyone on your network will see it in their lobby.',
  'host.nameLabel': 'Room name',
  'host.namePlaceholder': 'Team lunch',
  'host.submit': 'Start hosting',
  'host.passcodeLabel': 'Passcode (optional)',
  'host.passcodeHint': 'Only people who know it can join. It is never sent over the network.',
  'host.passcodeWeak':
    'Short passcodes can be guessed: someone posing as this room could test guesses offline against what a joining member sends. Use {{min}} characters or more, or generate one.',
  'host.passcodeGenerate': 'Generate a strong passcode',
  'host.errorEmpty': 'Give the room a name.',
  'host.errorTooLong': 'Use at most {{max}} characters.',

  'join.heading': 'Join by address or invite link',
  'join.hint':
    'For rooms that don’t show up above. The host’s lobby shows the address under the room; anyone in a room can copy its invite link.',
  'join.addressLabel': 'Address or invite link',
  'join.invitedTo':
    'Invite link to {{name}}, hosted by {{host}}. Find the room to see its verification code.',
  'join.submit': 'Find room',
  'join.passcodeLabel': 'This room has a passcode',
  'join.errorEmpty': 'Enter an address, like 192.168.1.20:4000, or paste an invite link.',

  'invite.button': 'Invite',
  'invite.hint': 'A link and QR code others can join this room with',
  'invite.heading': 'Invite people to {{name}}',
  'invite.explain':
    'Send this link or let them scan the code. It carries the room’s address and verification code, so their app checks it is really this room.',
  'invite.passcode': 'This room takes a passcode. The link does not carry it: tell it to them yourself.',
  'invite.linkLabel': 'Invite link',
  'invite.copy': 'Copy link',
  'invite.copied': 'Copied',
  'invite.qrLabel': 'QR code of the invite link',
  'invite.close': 'Close',

  'hosting.note': 'You are hosting {{name}}',
  'hosting.addresses': 'Join address: {{addresses}}',
  'hosting.guessing':
    'Someone is guessing this room’s passcode: {{failures}} wrong tries in 10 minutes from {{addresses}} addresses. Newcomers are slowed down; people already in are not affected.',
  'hosting.open': 'Open',
  'hosting.again': 'Host again',
  'hosting.againHint':
    'Opens this room again on your computer, with its history, where members find it as before.',
  'hosting.stopHint':
    'Closes the room for everyone in it. Its history stays on your computer, for Host again.',
  'hosting.stop': 'Stop hosting',

  'room.hostedBy': 'Hosted by {{host}}',
  'room.code': 'Verification code: {{code}}',

  'verify.heading': 'Check the room before joining',
  'verify.room': '{{name}}, hosted by {{host}}',
  'verify.compare': 'Compare this code with the host (in person or by phone) before joining.',
  'verify.trusted': 'You have joined this room before; the code matches.',
  'verify.invite': 'This code came with the invite link, and the room showed the very same certificate.',
  'verify.codeLabel': 'Verification code',
  'verify.ask':
    'Ask {{host}} to read the code shown in their window, in person or by phone. Join only if it is the same.',
  'verify.match': 'The codes match — join',
  'verify.verified': 'Verified',
  'verify.firstUse': 'Not compared yet',
  'verify.join': 'Join',
  'verify.cancel': 'Cancel',
  'verify.changedHeading': 'Certificate changed',
  'verify.changedExplain':
    "This room's certificate has changed since you last joined. If the host did not reinstall Parley, someone may be impersonating this room: compare the new code with the host before trusting it.",
  'verify.previousCodeLabel': 'Code last time:',
  'verify.newCodeLabel': 'Code now',
  'verify.trustNew': 'Trust the new certificate',
  'suspect.heading': 'This may not be the real room',
  'suspect.body':
    'Another computer on the network answers for this room with a different certificate. This one shows verification code {{code}}. Join only if the host reads you this same code.',
  'suspect.pinned': 'You joined this room before, when it showed code {{pinned}}.',
  'suspect.joinAnyway': 'The codes match: join',
  'suspect.trustAndJoin': 'The codes match: trust this certificate and join',
  'room.leaveHostedHint':
    'Leaves the room in this window only: it stays hosted for the others until you click Stop hosting.',
  'room.leaveHint': 'Leaves the room. Your saved copy stays, listed in All rooms.',
  'room.forget': 'Forget this room',
  'room.forgetConfirm': 'Delete its saved copy',
  'room.forgetHint': 'Leaves the room and deletes your saved copy of it from this computer.',
  'room.leave': 'Leave room',
  'sidebar.settings': 'Settings',
  'settings.heading': 'Settings',
  'settings.notifications': 'Notifications',
  'quiet.label': 'Do not disturb',
  'quiet.hint':
    'Private messages and mentions always notify, other messages as each room is set. Silence them all for:',
  'quiet.1h': 'An hour',
  'quiet.4h': 'Four hours',
  'quiet.tomorrow': 'Until tomorrow morning',
  'quiet.until': 'No notifications until {{time}}.',
  'quiet.off': 'Turn off do not disturb',
  'notify.label': 'Notifications for {{room}}',
  'notify.hint':
    'Which messages of this room notify you. Default: all of them in rooms of up to 10 people, mentions in bigger ones. Private messages and mentions always notify.',
  'notify.default': 'Notify: default',
  'notify.all': 'Notify: all',
  'notify.mentions': 'Notify: mentions',
  'notify.nothing': 'Notify: off',
  'settings.appearance': 'Language and look',
  'settings.startup': 'Starting and closing',
  'startup.atLogin': 'Start Parley when I log in',
  'startup.atLoginHint':
    'It starts in the tray, without a window, so your rooms are there when people write.',
  'startup.closeLabel': 'Closing the window, where there is no tray icon',
  'startup.close.ask': 'Ask each time',
  'startup.close.background': 'Keep running in the background',
  'startup.close.quit': 'Quit Parley',
  'startup.closeHint':
    'With a tray icon, closing the window keeps Parley running there; quit from its menu. Running on keeps the rooms you host up.',
  'theme.label': 'Theme',
  'theme.system': 'System',
  'theme.light': 'Light',
  'theme.dark': 'Dark',
  'lobby.youAppearAs': 'You appear as {{nick}}.',
  'lobby.change': 'Change',
  'storage.file.settings': 'The settings file',
  'storage.file.messages': 'The file of your messages',
  'storage.file.trust': 'The file of trusted room certificates',
  'storage.file.history': 'The history file of the rooms you host',
  'storage.file.identity': 'The host identity',
  'storage.damaged':
    '{{file}} ({{path}}) could not be read, so Parley kept it aside as {{aside}} and started a fresh one.',
  'storage.stuck':
    '{{file}} ({{path}}) could not be read, nor moved aside ({{detail}}). Parley uses a fresh one in memory until it quits.',
  'storage.unwritable':
    '{{file}} ({{path}}) cannot be written ({{detail}}). Parley keeps it in memory until it restarts.',
  'storage.failing':
    '{{file}} ({{path}}) cannot be written right now ({{detail}}). What is new is kept in memory and saved as soon as it can be.',
  'storage.cost.trust.damaged':
    'Rooms joined before will be trusted anew on first contact: compare their verification codes.',
  'storage.cost.identity.damaged': 'Members who joined before will be warned that your certificate changed.',
  'storage.cost.identity.stuck': 'Members will be warned that your certificate changed.',
  'storage.cost.identity.unwritable':
    'After Parley quits, members will be warned that your certificate changed.',
  'sidebar.label': 'Rooms',
  'sidebar.rooms': 'Your rooms',
  'sidebar.noRooms': 'Rooms you host or join show here.',
  'sidebar.network': 'On this network',
  'sidebar.noNetwork': 'No other rooms announced.',
  'sidebar.passcode': 'Takes a passcode',
  'sidebar.lobby': 'All rooms',
  'sidebar.host': 'Host a room',
  'sidebar.join': 'Join by address',
  'sidebar.hostedByYou': 'hosted by you',
  'sidebar.hostedMark': 'HOST',
  'sidebar.state.connecting': 'connecting',
  'sidebar.state.online': 'online',
  'sidebar.state.reconnecting': 'reconnecting',
  'sidebar.state.offline': 'offline',
  'sidebar.unread_one': '{{count}} unread message',
  'sidebar.unread_other': '{{count}} unread messages',
  'sidebar.unreadPrivate_one': '{{count}} private message to you',
  'sidebar.unreadPrivate_other': '{{count}} private messages to you',

  'connection.connecting': 'Connecting…',
  'connection.online': 'Online',
  'connection.reconnecting': 'Reconnecting (attempt {{attempt}})…',
  'connection.offline': 'Offline',
  'connection.reconnect': 'Reconnect',
  'connection.passcodeLabel': 'Passcode',
  'connection.tryPasscode': 'Try this passcode',

  'error.UNKNOWN_COMMAND':
    'This window asked Parley for something it does not know ({{command}}). Restart the app.',
  'error.BAD_PAYLOAD':
    'This window sent Parley something it could not read ({{command}}: {{field}}). Restart the app.',
  'error.NOT_IN_ROOM': 'You are not in a room.',
  'error.NO_SUCH_ROOM': 'That room is no longer on the network.',
  'error.NO_SUCH_ROOM_AT': 'No Parley room answers at {{address}}.',
  'error.BAD_INVITE': 'That is not a valid Parley invite link.',
  'error.BAD_INVITE_link': 'That is not a Parley invite link (they start with parley://join?).',
  'error.BAD_INVITE_room': 'This invite link is damaged: its room id is missing or wrong.',
  'error.BAD_INVITE_name': 'This invite link is damaged: its room name is missing or wrong.',
  'error.BAD_INVITE_host': 'This invite link is damaged: its host’s name is missing or wrong.',
  'error.BAD_INVITE_addresses': 'This invite link is damaged: its addresses are missing or wrong.',
  'error.BAD_INVITE_fingerprint':
    'This invite link is damaged: its certificate fingerprint is missing or wrong.',
  'error.BAD_INVITE_passcode': 'This invite link is damaged: its passcode mark is wrong.',
  'error.NO_ADDRESS':
    'No address others on the network can reach is known for this room, so there is nothing to invite with.',
  'error.BAD_ADDRESS': '“{{address}}” is not an address like 192.168.1.20:4000.',
  'error.HOST_FAILED': 'Could not host the room (technical detail: {{detail}}).',
  'error.HOST_FAILED_PORT_IN_USE':
    'Could not host the room: another program already uses its port. Close it, or host on another port.',
  'error.HOST_FAILED_PORT_DENIED':
    'Could not host the room: this computer does not let Parley listen on that port (ports below 1024 need special rights).',
  'error.HOST_FAILED_ADDRESS_UNAVAILABLE':
    'Could not host the room: the network address it was to listen on is not on this computer any more.',
  'error.VERSION_MISMATCH': 'This room speaks another version of Parley. Update the older app.',
  'error.VERSION_MISMATCH_NEWER':
    'This room speaks Parley protocol {{room}}, but this app speaks protocol {{ours}}. Update Parley on this computer to join it.',
  'error.VERSION_MISMATCH_OLDER':
    'This room speaks Parley protocol {{room}}, but this app speaks protocol {{ours}}. Its host needs to update Parley.',
  'error.CERT_CHANGED':
    'This room’s certificate has changed since you last joined: you trusted code {{pinned}}, and the host now shows {{presented}}. Compare codes with the host before trusting it.',
  'error.SUSPECT_ROOM': 'This may be an impostor: another certificate answers for the same room.',
  'error.SUSPECT_ROOM_SHOWS': 'This one shows verification code {{code}}.',
  'error.SUSPECT_ROOM_PINNED': 'You trusted {{pinned}}.',
  'error.SUSPECT_ROOM_COMPARE': 'Compare verification codes with the host before joining it.',
  'error.FETCH_FAILED': 'Could not load earlier messages. Try again in a moment.',
  'error.FORBIDDEN': 'Refused: this request did not come from the app’s window.',
  'error.INTERNAL': 'Something went wrong inside Parley.',
  'error.BAD_JSON': 'The room could not read what this app sent.',
  'error.BAD_FRAME': 'This message cannot be sent: the room would not accept it.',
  'error.BINARY_FRAME': 'The room sent something this app cannot read.',
  'error.UNKNOWN_TYPE': 'The room did not understand what this app sent.',
  'error.TEXT_TOO_LONG': 'Messages are limited to {{max}} characters.',
  'error.NOT_JOINED': 'You are not in the room yet.',
  'error.ALREADY_JOINED': 'You are already in the room.',
  'error.NO_SUCH_MEMBER': 'That person is not in the room now, so the message cannot reach them.',
  'error.STORAGE_FAILED': 'The room’s host could not save the message.',
  'error.STORAGE_FAILED_HELD': 'The room’s host could not save your message just now. It will be sent again.',
  'error.RATE_LIMITED': 'You are sending faster than this room allows.',
  'error.RATE_LIMITED_HELD':
    'You are sending faster than this room allows; your messages will follow in a moment.',
  'error.ROOM_FULL': 'The room is full.',
  'error.PASSCODE_REQUIRED': 'This room needs a passcode.',
  'error.BAD_PASSCODE': 'That passcode is not right.',
  'error.TOO_MANY_ATTEMPTS':
    'Too many wrong passcodes from this computer. Wait a few minutes, then try again.',
  'error.BAD_SIGNATURE': 'The room could not confirm who you are.',
  'error.TOO_MANY_FROM_ADDRESS':
    'This room already has as many people from your computer’s address as it allows.',
  'error.STORAGE_FULL': 'The room’s host has no room left to save messages.',
  'error.STORAGE_FULL_HELD':
    'The room’s host has no room to save messages right now. Yours will be sent again.',
  'error.QUOTA_EXCEEDED': 'You have sent as much as this room allows for today.',

  'reason.VERSION_MISMATCH': 'This room speaks another version of Parley. Update the older app.',
  'reason.PASSCODE_REQUIRED': 'This room needs a passcode.',
  'reason.BAD_PASSCODE': 'That passcode is not right.',
  'reason.TOO_MANY_ATTEMPTS':
    'Too many wrong passcodes from this computer. Wait a few minutes, then try again.',
  'reason.PASSCODE_REFUSED': 'The room did not accept the passcode.',
  'reason.TOO_MANY_FROM_ADDRESS':
    'This room already has as many people from your computer’s address as it allows.',
  'reason.IDENTITY_REFUSED':
    'The room could not confirm who you are. Something between you and the host may be tampering with the connection.',
  'reason.REPLACED': 'Another connection of yours took over your place in this room.',
  'reason.CERT_CHANGED':
    'This room’s certificate has changed: you trusted code {{pinned}}, and it now shows {{presented}}. Compare codes with the host before trusting it.',
  'reason.OTHER_ROOM': 'A different room, “{{name}}”, now answers at {{address}}.',
  'reason.ROOM_FULL': 'The room is full. Parley keeps trying in case someone leaves.',
  'reason.UNREACHABLE': 'Nothing answers at {{address}}.',
  'reason.NO_ANSWER': 'The room at {{address}} did not answer within {{seconds}} s.',
  'reason.BAD_CERTIFICATE': 'The room’s certificate could not be read.',
  'reason.HOST_CLOSED': '{{host}} stopped hosting {{room}}.',
  'reason.HOST_CLOSED_UNNAMED': 'The host closed the room.',
  'reason.SILENT': '{{room}}’s host is not answering.',
  'reason.SILENT_UNNAMED': 'The room’s host is not answering.',
  'reason.LOST': 'The connection to the room was lost.',
  'reason.PAGE_TIMEOUT': 'The room did not send the messages this app asked for.',
  'reason.NO_ADDRESS': 'There is no address to connect to.',
  'reason.GAVE_UP': 'Stopped trying after {{attempts}} attempts. {{cause}}',
  'reason.GONE_FROM_LAN': 'The room is no longer on the network.',
  'reason.NOT_HOSTING': 'You are not hosting {{room}} now. Host it again to bring it back, with its history.',
  'reason.NOT_HOSTING_UNNAMED':
    'You are not hosting this room now. Host it again to bring it back, with its history.',
  'reason.SAVED_COPY': 'The room’s host is not on the network. You are reading your saved copy.',

  'conversations.label': 'Conversations',
  'conversations.close': 'Close the conversation with {{nick}} (Delete)',
  'conversations.closeHint':
    'Delete closes this conversation; opening it again from the members list brings it back.',
  'conversations.everyone': 'Everyone',
  'conversations.unread_one': '{{count}} unread message',
  'conversations.unread_other': '{{count}} unread messages',

  'messages.label': 'Messages',
  'messages.me': '(me)',
  'messages.sending': 'Sending…',
  'messages.failed': 'Failed: {{reason}}',
  'messages.retry': 'Retry',
  'messages.joined': '{{nick}} joined',
  'messages.left': '{{nick}} left',
  'messages.joinedTwo': '{{first}} and {{second}} joined',
  'messages.joinedThree': '{{first}}, {{second}} and {{third}} joined',
  'messages.joinedMany': '{{first}}, {{second}} and {{others}} others joined',
  'messages.leftTwo': '{{first}} and {{second}} left',
  'messages.leftThree': '{{first}}, {{second}} and {{third}} left',
  'messages.leftMany': '{{first}}, {{second}} and {{others}} others left',
  'messages.today': 'Today',
  'messages.yesterday': 'Yesterday',
  'messages.jumpToLatest': 'Jump to latest',
  'messages.moved': 'The room moved from {{from}} to {{to}}; Parley found it again.',
  'messages.copySetAside_one':
    'The host’s history of this room is not the one you had (its data was replaced), so it starts here. Your earlier copy, {{count}} message, was kept aside on this computer.',
  'messages.copySetAside_other':
    'The host’s history of this room is not the one you had (its data was replaced), so it starts here. Your earlier copy, {{count}} messages, was kept aside on this computer.',
  'messages.gapOpen': 'Not connected since {{since}}. Messages sent meanwhile arrive when the room is back.',
  'messages.gap': 'Not connected from {{since}} to {{until}}. What was said meanwhile is below.',
  'messages.loadEarlier': 'Load earlier messages',
  'messages.beginningEveryone': 'This is the beginning of the room.',
  'messages.beginningPrivate': 'This is the beginning of your conversation with {{nick}}.',
  'messages.beginningRemoved': 'Earlier messages were removed by the host.',
  'messages.emptyEveryone': 'No messages yet. Say hello!',
  'messages.emptyPrivate':
    'This is the start of your private conversation with {{nick}}. Other members can’t see it; the host’s computer relays and stores it.',

  'members.lastKnown_one': 'Last seen here ({{count}})',
  'members.lastKnown_other': 'Last seen here ({{count}})',
  'members.status.away': 'away',
  'members.status.busy': 'busy',
  'members.host': 'host',
  'members.heading': 'Members ({{count}})',
  'members.label': 'Members',
  'members.messageHint': 'Message',
  'members.messagePrivately': 'Message {{nick}} privately',
  'members.me': '{{nick}} (me)',

  'composer.label': 'Message',
  'composer.labelPrivate': 'Message {{nick}}',
  'composer.placeholder': 'Message everyone',
  'composer.placeholderPrivate': 'Message {{nick}} privately',
  'composer.send': 'Send',
  'composer.hint': 'Enter to send · Shift+Enter for a new line',
  'composer.counter': '{{count}} / {{max}}',
  'composer.peerGone': '{{nick}} isn’t in the room right now.',
  'composer.queued': 'The room is away: messages you send now go out when it is back.',
  'composer.readOnly': "Read-only: this room's host is offline. You are reading your saved copy.",
  'composer.readOnlyPasscode':
    'Read-only until the room accepts your passcode. You are reading your saved copy.',
} as const;

/** Every key of the reference locale, with plural suffixes. */
export type ResourceKey = keyof typeof en;

/** What `t()` accepts: plural keys without their `_one`/`_other` suffix. */
export type MessageKey = ResourceKey extends infer K
  ? K extends `${infer Base}_${'one' | 'other'}`
    ? Base
    : K
  : never;

/**
 * A complete translation. Languages without a singular form (Chinese) only need `_other`, so
 * `_one` keys are optional; every other key is required.
 */
export type Translation = Record<Exclude<ResourceKey, `${string}_one`>, string> &
  Partial<Record<Extract<ResourceKey, `${string}_one`>, string>>;
