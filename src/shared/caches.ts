/**
 * The Cache Storage cache where the service worker keeps thumbnails that were seen. The page
 * deletes it on sign-out so the next person on the device does not see them offline.
 */
export const THUMBNAIL_CACHE = 'shoebox-thumbs';
