import type { Translation } from './en';

/** 简体中文. Typed against the English keys so a missing translation fails the type check. */
export const zhCN: Translation = {
  'app.name': 'Parley',
  'app.windowTitle': '{{room}} — Parley',
  'app.tagline': '和同一局域网里的人聊天，无需连接互联网。',
  'app.loading': '正在加载…',
  'app.noBridge': '此窗口无法连接到 Parley，请重新启动应用。',
  'app.dismiss': '关闭',

  'language.label': '语言',
  'language.system': '跟随系统',
  'language.en': 'English',
  'language.zh-CN': '简体中文',

  'nickname.label': '你的昵称',
  'nickname.hint': '你加入的房间里的其他人会看到这个名字。',
  'nickname.saved': '已保存',
  'nickname.errorEmpty': '请输入昵称。',
  'nickname.errorTooLong': '昵称最多 {{max}} 个字符。',
  'nickname.errorControl': '昵称不能包含控制字符。',

  'rooms.heading': '局域网内的房间',
  'rooms.hostedBy': '由 {{host}} 主持',
  'rooms.members_other': '{{count}} 名成员',
  'rooms.yours': '我的',
  'rooms.versionMismatch': '需要其他版本的 Parley',
  'rooms.join': '加入',
  'rooms.joinNamed': '加入 {{name}}',
  'rooms.emptyTitle': '还没有发现房间',
  'rooms.empty':
    '局域网内有人主持房间时，它会自动出现在这里。如果没有看到你要找的房间，可能是防火墙或 Wi-Fi 的客户端隔离挡住了它：请向主持人要房间地址，然后使用“按地址加入”。',

  'host.heading': '主持房间',
  'host.hint': '局域网内的所有人都能在大厅里看到它。',
  'host.nameLabel': '房间名称',
  'host.namePlaceholder': '午饭小分队',
  'host.submit': '主持房间',
  'host.errorEmpty': '请给房间起个名字。',
  'host.errorTooLong': '房间名称最多 {{max}} 个字符。',

  'join.heading': '按地址加入',
  'join.hint': '房间没有出现在上方时使用。主持人的大厅里会在房间下方显示它的地址。',
  'join.addressLabel': '地址',
  'join.submit': '按地址加入',
  'join.errorEmpty': '请输入地址，例如 192.168.1.20:4000。',

  'hosting.note': '你正在主持 {{name}}',
  'hosting.addresses': '加入地址：{{addresses}}',
  'hosting.open': '打开',
  'hosting.stop': '停止主持',

  'room.hostedBy': '由 {{host}} 主持',
  'room.leave': '离开房间',

  'connection.connecting': '正在连接…',
  'connection.online': '在线',
  'connection.reconnecting': '正在重新连接（第 {{attempt}} 次）…',
  'connection.offline': '离线',
  'connection.reconnect': '重新连接',

  'conversations.label': '会话',
  'conversations.everyone': '所有人',
  'conversations.unread_other': '{{count}} 条未读消息',

  'messages.label': '消息',
  'messages.me': '（我）',
  'messages.sending': '正在发送…',
  'messages.failed': '发送失败：{{reason}}',
  'messages.retry': '重试',
  'messages.joined': '{{nick}} 加入了房间',
  'messages.left': '{{nick}} 离开了房间',
  'messages.jumpToLatest': '跳到最新消息',
  'messages.emptyEveryone': '还没有消息，打个招呼吧！',
  'messages.emptyPrivate': '这是你和 {{nick}} 私聊的开始，只有你们两人能看到。',

  'members.heading': '成员（{{count}}）',
  'members.label': '成员',
  'members.messagePrivately': '私聊 {{nick}}',
  'members.me': '{{nick}}（我）',

  'composer.label': '消息',
  'composer.labelPrivate': '发给 {{nick}}',
  'composer.placeholder': '发消息给所有人',
  'composer.placeholderPrivate': '私聊 {{nick}}',
  'composer.send': '发送',
  'composer.hint': 'Enter 发送 · Shift+Enter 换行',
  'composer.counter': '{{count}} / {{max}}',
  'composer.peerGone': '{{nick}} 目前不在房间里。',
};
