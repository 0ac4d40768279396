export { Discovery, type Advertisement, type DiscoveredRoom, type DiscoveryOptions } from './Discovery';
export { fetchRoomInfo } from './fetchRoomInfo';
export { parseAddress } from './parseAddress';
