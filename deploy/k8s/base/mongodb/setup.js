// Run by the Job mongodb-setup, again after every change: each step is idempotent.
// 1. Joins the members of MONGODB_HOSTS into the replica set rs0, if not done yet.
// 2. Waits for a primary.
// 3. For each service in MONGODB_SERVICES, creates its user in its own database (readWrite on that
//    database only), or sets the user's password and roles again from its Secret (password rotation).
// 4. Creates (or updates) the user the nightly backup signs in as, in admin, with the role backup only
//    (Secret mongodb-backup): it reads every database and can change nothing.
const env = process.env;
const hosts = env.MONGODB_HOSTS.split(",");
const admin = `${encodeURIComponent(env.MONGODB_ADMIN_USERNAME)}:${encodeURIComponent(env.MONGODB_ADMIN_PASSWORD)}`;

const first = connect(`mongodb://${admin}@${hosts[0]}/admin?directConnection=true&authSource=admin`);
try {
  first.adminCommand({ replSetGetStatus: 1 });
  print("replica set rs0 already initiated");
} catch (error) {
  if (error.codeName !== "NotYetInitialized") throw error;
  first.adminCommand({ replSetInitiate: { _id: "rs0", members: hosts.map((host, _id) => ({ _id, host })) } });
  print(`replica set rs0 initiated with ${hosts.join(", ")}`);
}

const deadline = Date.now() + 5 * 60 * 1000;
const hasPrimary = () =>
  first.adminCommand({ replSetGetStatus: 1 }).members.some((member) => member.stateStr === "PRIMARY");
while (!hasPrimary()) {
  if (Date.now() > deadline) throw new Error("no primary after 5 minutes");
  sleep(2000);
}

const replicaSet = connect(`mongodb://${admin}@${hosts.join(",")}/admin?replicaSet=rs0&authSource=admin`);
for (const service of env.MONGODB_SERVICES.split(/\s+/).filter(Boolean)) {
  const prefix = service.toUpperCase();
  const user = env[`${prefix}_USERNAME`];
  const pwd = env[`${prefix}_PASSWORD`];
  if (!user || !pwd) throw new Error(`the Secret ${service}-mongodb has no username or password`);
  const database = replicaSet.getSiblingDB(service);
  const roles = [{ role: "readWrite", db: service }];
  if (database.getUser(user)) {
    database.updateUser(user, { pwd, roles });
    print(`user ${user} of ${service}: password and roles set again`);
  } else {
    database.createUser({ user, pwd, roles });
    print(`user ${user} of ${service}: created`);
  }
}

const backupUser = env.BACKUP_USERNAME;
const backupPassword = env.BACKUP_PASSWORD;
if (!backupUser || !backupPassword) throw new Error("the Secret mongodb-backup has no username or password");
const adminDatabase = replicaSet.getSiblingDB("admin");
const backupRoles = [{ role: "backup", db: "admin" }];
if (adminDatabase.getUser(backupUser)) {
  adminDatabase.updateUser(backupUser, { pwd: backupPassword, roles: backupRoles });
  print(`backup user ${backupUser}: password and roles set again`);
} else {
  adminDatabase.createUser({ user: backupUser, pwd: backupPassword, roles: backupRoles });
  print(`backup user ${backupUser}: created`);
}
