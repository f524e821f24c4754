/** Where result images are served from (the build copies them under docs/public). */
export const publicImagesUrl = "/generated/results/"
