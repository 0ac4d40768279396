/**
 * The app's id: electron-builder's `appId` (electron-builder.json; a test checks they agree) and
 * Windows' AppUserModelID. They must be the same, or Windows drops notification clicks and
 * shows the wrong name and icon on them.
 */
export const APP_ID = 'app.parley.desktop';
