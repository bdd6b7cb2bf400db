/**
 * The delivery note is made once, when the appliance ships, with the sensor's one-time enrollment
 * code printed on it (the code is stored only hashed, so the note is the one copy): keep the PDF.
 */
export const statements = [
  `alter table shipments add column sensor_id uuid references sensors(id) on delete set null`,
  `alter table shipments add column delivery_note_pdf bytea`,
];
