/**
 * Addon modules as WHMCS has them: each registers { id, name, version, description, activate,
 * deactivate, configPath } and the staff switch it on or off on the Modules page. Whether one is
 * on is kept in tbladdonmodules, read at most once a second so every app instance follows.
 */
class Addons {
  constructor(knex) {
    this.knex = knex;
    this.list = [];
    this.cache = new Map();
  }

  register(addon) {
    this.list.push(addon);
  }

  find(id) {
    return this.list.find((a) => a.id === id);
  }

  async isActive(id) {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < 1000) return hit.active;
    const row = await this.knex('tbladdonmodules').where({ module: id, setting: 'active' }).first('value');
    const active = row?.value === 'on';
    this.cache.set(id, { active, at: Date.now() });
    return active;
  }

  async setActive(id, active) {
    await this.knex('tbladdonmodules').where({ module: id, setting: 'active' }).del();
    if (active) await this.knex('tbladdonmodules').insert({ module: id, setting: 'active', value: 'on' });
    this.cache.delete(id);
  }
}

module.exports = { Addons };
