import { sqliteWorkspace } from './served-fixture';
import { whoMayDoWhat } from './who-may-do-what';

// The servers share one SQLite ratings file (keys included) and one data folder (the visitor cookie's secret).
whoMayDoWhat('SQLite', sqliteWorkspace);
